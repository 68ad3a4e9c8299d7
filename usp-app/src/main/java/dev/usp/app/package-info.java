/**
 * The {@code usp} command line ({@link dev.usp.app.UspCli}): every command, the options they share
 * ({@link dev.usp.app.CommonOptions}) and the memory-soak driver. The only module that depends on
 * picocli and on a logging backend (Logback) and bundles a libtorch; the library modules below it
 * depend on neither.
 */
package dev.usp.app;
