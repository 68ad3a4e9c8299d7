package dev.usp.train.loop;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Resolves what a user names as a checkpoint: a file, or a run folder (its newest complete checkpoint). */
public final class CheckpointFiles {

    private CheckpointFiles() {
    }

    /**
     * The file itself, or the newest complete checkpoint of a run folder or {@code checkpoints/} folder.
     *
     * @throws NoSuchFileException naming the path when there is no such file or no checkpoint in the folder
     */
    public static Path resolve(Path fileOrRun) throws IOException {
        if (Files.isRegularFile(fileOrRun)) {
            return fileOrRun;
        }
        if (Files.isDirectory(fileOrRun)) {
            return CheckpointStore.findLatest(fileOrRun).orElseThrow(() -> new NoSuchFileException(
                    fileOrRun.toString(), null, "no complete checkpoint in this folder or its checkpoints/"));
        }
        throw new NoSuchFileException(fileOrRun.toString(), null, "no such checkpoint file or run folder");
    }
}
