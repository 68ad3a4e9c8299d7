/**
 * Typed configuration: Java records loaded from YAML with command-line overrides.
 *
 * <h2>Defaults</h2>
 * Every top-level config record declares {@code public static R defaults()}, the one place where
 * its default values live (nested records take theirs from that instance, typically by calling
 * their own {@code defaults()}). {@link dev.usp.core.config.ConfigLoader#load} starts from the
 * defaults, merges the YAML file over them, then each {@code --set dotted.key=value} in order:
 * <pre>
 *   defaults()  &lt;  YAML file  &lt;  --set (later ones win)
 * </pre>
 * A merge replaces only the keys it names; nested records merge key by key, lists are replaced
 * whole. The record is built once, from the merged values, so that its constructor's own checks
 * (e.g. a model name that must fit an objective) see the final values whatever the order of the
 * {@code --set}s.
 *
 * <h2>Keys and values</h2>
 * YAML keys are the snake_case spelling of the record components ({@code batch_size} for
 * {@code batchSize}); nested records are nested mappings, and {@code --set train.batch_size=64}
 * addresses them with dots. Scalars are read as text and converted by the component's type:
 * {@code int}, {@code long}, {@code float}, {@code double} ({@code 1e-4} works), {@code boolean}
 * ({@code true}/{@code false} only), {@code String}, {@code Path}, enums (by name, any case), and
 * {@code List}s of these ({@code [1, 2]} or {@code 1,2} on the command line). {@code null} is
 * allowed only for strings and paths. A {@code --set} may also give a whole nested record as a
 * YAML flow mapping: {@code --set train={lr: 1e-4, epochs: 10}}.
 *
 * <h2>Renamed keys</h2>
 * A config record may declare {@code public static Map<String, String> renamedKeys()}, old dotted
 * key to new dotted key: an old key in a file or a {@code --set} is read as the new one with an
 * SLF4J warning naming both keys and the source, for one release after a rename. The shared blocks
 * {@link dev.usp.core.config.RunConfig} ({@code run:}), {@link dev.usp.core.config.OptimConfig}
 * ({@code optim:}) and {@link dev.usp.core.config.DataConfig} ({@code data:}), with a top-level
 * {@code seed}, are the vocabulary every training stage's config uses.
 *
 * <h2>Validation</h2>
 * An unknown key, a value of the wrong type, a value outside {@link dev.usp.core.config.Range}
 * (NaN and infinities included) or {@link dev.usp.core.config.OneOf}, and YAML that does not
 * parse (a refused tag, a duplicate key) throw {@link dev.usp.core.config.ConfigException}, whose
 * message names the full dotted key, the value, the source (file or {@code --set}) and what is
 * allowed. A record's compact constructor may add its own checks; its exceptions are wrapped with
 * the sources of the keys they name.
 *
 * <h2>Saving</h2>
 * {@link dev.usp.core.config.ConfigLoader#toYaml} writes the resolved record back as YAML (enums
 * in lower case); loading that text again gives an equal record.
 */
package dev.usp.core.config;
