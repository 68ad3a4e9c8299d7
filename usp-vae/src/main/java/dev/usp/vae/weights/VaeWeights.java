package dev.usp.vae.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads KL autoencoder weights from any state dict (safetensors, torch.save readers): detects the
 * naming (LDM, with any prefix such as {@code first_stage_model.}, or diffusers with either
 * attention naming), renames to LDM, ignores and reports keys outside the autoencoder
 * ({@code loss.*}, the discriminator, a diffusion model), and loads strictly: every tensor of the
 * model must be present with its shape, and the autoencoder part may hold nothing else.
 */
public final class VaeWeights {

    private static final Logger LOG = LoggerFactory.getLogger(VaeWeights.class);
    private static final String ANCHOR = "encoder.conv_in.weight";
    private static final List<String> MODEL_ROOTS = List.of("encoder.", "decoder.", "quant_conv.", "post_quant_conv.");
    private static final int LISTED = 8;

    /** The diffusers weight file inside a model folder. */
    public static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";

    /**
     * What a load did.
     *
     * @param naming the detected naming scheme
     * @param prefix the prefix stripped from the autoencoder's keys ("" when none)
     * @param report the strict load of the model's tensors
     * @param ignored keys of the source outside the autoencoder, under their original names
     */
    public record Result(Naming naming, String prefix, LoadReport report, List<String> ignored) {
    }

    private VaeWeights() {
    }

    /**
     * Builds a VAE of {@code config} in a sub-manager of {@code manager} and loads {@code sd} into
     * it; nothing is left allocated on failure.
     *
     * @throws IllegalArgumentException when the weights are not a KL autoencoder, or any tensor of
     *     the model is missing, mis-shaped or unexpected (named, with both shapes)
     */
    public static AutoencoderKL load(StateDict sd, VaeConfig config, NDManager manager) {
        AutoencoderKL vae = new AutoencoderKL(manager.newSubManager(), config);
        try {
            loadInto(vae, sd);
        } catch (RuntimeException e) {
            vae.close();
            throw e;
        }
        return vae;
    }

    /** As {@link #load(StateDict, VaeConfig, NDManager)} with a preset name ({@code sd}, {@code kl16}, ...). */
    public static AutoencoderKL load(StateDict sd, String preset, NDManager manager) {
        return load(sd, VaeConfig.preset(preset), manager);
    }

    /**
     * Loads a safetensors or torch.save file (any naming; told apart by their first bytes, see
     * {@link VaeCheckpoints#read}) into a VAE of {@code config}, or, when {@code path} is a folder,
     * a diffusers model folder (whose config.json then replaces {@code config}).
     *
     * @throws IOException naming the file when it is missing, unreadable or of no known format
     */
    public static AutoencoderKL load(Path path, VaeConfig config, NDManager manager) throws IOException {
        if (Files.isDirectory(path)) {
            return loadDiffusers(path, manager);
        }
        try (StateDict sd = VaeCheckpoints.read(path, null, manager)) {
            return load(sd, config, manager);
        }
    }

    /**
     * Loads a diffusers model folder: {@code config.json} (see {@link DiffusersConfig}) and
     * {@code diffusion_pytorch_model.safetensors}.
     *
     * @throws IOException naming the file when either is missing or unreadable
     */
    public static AutoencoderKL loadDiffusers(Path folder, NDManager manager) throws IOException {
        VaeConfig config = DiffusersConfig.read(folder.resolve(DiffusersConfig.FILE));
        Path weights = folder.resolve(DIFFUSERS_WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new IOException(weights + ": missing (a diffusers VAE folder holds " + DiffusersConfig.FILE
                    + " and " + DIFFUSERS_WEIGHTS + ")");
        }
        try (StateDict sd = SafeTensors.read(weights, manager)) {
            return load(sd, config, manager);
        }
    }

    /**
     * Copies the weights of {@code sd} into {@code vae}, whatever their naming.
     *
     * @throws IllegalArgumentException as {@link #load(StateDict, VaeConfig, NDManager)}
     */
    public static Result loadInto(AutoencoderKL vae, StateDict sd) {
        String prefix = prefix(sd);
        StateDict body = prefix.isEmpty() ? sd : sd.stripPrefix(prefix);
        Naming naming = detect(body);
        List<String> ignored = new ArrayList<>();
        for (String key : sd.keys()) {
            if (!key.startsWith(prefix)) {
                ignored.add(key);
            }
        }
        try (NDManager scratch = vae.manager().newSubManager()) {
            StateDict ldm = naming == Naming.LDM ? body : DiffusersNames.toLdm(body, scratch);
            StateDict inside = ldm.filter(VaeWeights::inModel);
            for (String key : ldm.keys()) {
                if (!inModel(key)) {
                    ignored.add(prefix + key);
                }
            }
            checkCompatible(vae, inside, naming);
            LoadReport report = vae.loadStateDict(inside, true);
            if (!ignored.isEmpty()) {
                LOG.info("{}: ignored {} keys outside the autoencoder, e.g. {}", sd.source(), ignored.size(),
                        ignored.subList(0, Math.min(LISTED, ignored.size())));
            }
            LOG.info("{}: loaded {} tensors ({} naming{})", sd.source(), report.loaded().size(), naming,
                    prefix.isEmpty() ? "" : ", prefix '" + prefix + "'");
            return new Result(naming, prefix, report, List.copyOf(ignored));
        }
    }

    /**
     * The prefix in front of the autoencoder's keys: "" for a bare VAE, {@code first_stage_model.}
     * for a latent-diffusion checkpoint.
     *
     * @throws IllegalArgumentException when no key ends with {@code encoder.conv_in.weight}, or
     *     several prefixes do and none is "" or {@code first_stage_model.}
     */
    public static String prefix(StateDict sd) {
        TreeSet<String> found = new TreeSet<>();
        for (String key : sd.keys()) {
            if (key.endsWith(ANCHOR)) {
                found.add(key.substring(0, key.length() - ANCHOR.length()));
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("not a KL autoencoder state dict: " + sd.source()
                    + " has no key ending in '" + ANCHOR + "' (" + sd.size() + " keys, e.g. "
                    + sd.keys().stream().limit(LISTED).toList() + ")");
        }
        if (found.size() == 1) {
            return found.first();
        }
        for (String preferred : List.of("", "first_stage_model.")) {
            if (found.contains(preferred)) {
                return preferred;
            }
        }
        throw new IllegalArgumentException(sd.source() + " holds several autoencoders, under prefixes " + found
                + "; select one with StateDict.stripPrefix");
    }

    /**
     * The naming of an autoencoder state dict without prefix.
     *
     * @throws IllegalArgumentException when it is neither LDM nor diffusers
     */
    public static Naming detect(StateDict sd) {
        boolean diffusers = false;
        boolean legacy = false;
        boolean ldm = false;
        for (String key : sd.keys()) {
            if (key.contains("mid_block.") || key.contains("down_blocks.") || key.contains("up_blocks.")
                    || key.contains("conv_norm_out.")) {
                diffusers = true;
                legacy |= key.matches(".*\\.attentions\\.\\d+\\.(query|key|value|proj_attn)\\.\\w+");
            } else if (key.contains(".mid.block_") || key.contains(".down.") || key.contains(".up.")
                    || key.contains(".norm_out.")) {
                ldm = true;
            }
        }
        if (diffusers == ldm) {
            throw new IllegalArgumentException(sd.source() + ": cannot tell the naming scheme of this autoencoder ("
                    + (diffusers ? "both LDM and diffusers keys" : "neither LDM nor diffusers keys") + ")");
        }
        return ldm ? Naming.LDM : legacy ? Naming.DIFFUSERS_LEGACY_ATTENTION : Naming.DIFFUSERS;
    }

    private static boolean inModel(String key) {
        for (String root : MODEL_ROOTS) {
            if (key.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /** Fails, before copying anything, with the first offending keys and shapes (LDM names). */
    private static void checkCompatible(AutoencoderKL vae, StateDict sd, Naming naming) {
        Map<String, Parameter> mine = vae.namedTensors();
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            String key = e.getKey();
            String problem = null;
            if (!sd.contains(key)) {
                problem = "missing '" + key + "' (model " + e.getValue().shape() + ")";
            } else {
                NDArray a = sd.get(key);
                if (!a.getShape().equals(e.getValue().shape())) {
                    problem = "mis-shaped '" + key + "': model " + e.getValue().shape() + ", weights " + a.getShape();
                }
            }
            if (problem != null) {
                count++;
                if (problems.size() < LISTED) {
                    problems.add(problem);
                }
            }
        }
        for (String key : sd.keys()) {
            if (!mine.containsKey(key)) {
                count++;
                if (problems.size() < LISTED) {
                    problems.add("unexpected '" + key + "' " + sd.get(key).getShape());
                }
            }
        }
        if (count > 0) {
            throw new IllegalArgumentException(sd.source() + " (" + naming + " naming, keys shown as LDM names) does"
                    + " not fit " + vae.config() + ": " + count + " problems: " + String.join("; ", problems)
                    + (count > problems.size() ? "; ..." : ""));
        }
    }
}
