/**
 * The training-run infrastructure every trainer shares: run folder ({@link dev.usp.train.loop.RunDir}),
 * metrics logs ({@link dev.usp.train.loop.MetricsLog}: {@code metrics.jsonl}, the same on every
 * machine, and {@code timing.jsonl}), single-file atomic checkpoints
 * ({@link dev.usp.train.loop.Checkpoint}, {@link dev.usp.train.loop.CheckpointStore}), per-step
 * seeds ({@link dev.usp.core.engine.Seeds}) and the step loop ({@link dev.usp.train.loop.TrainingLoop}).
 *
 * <p>A trainer, in outline:
 * <pre>{@code
 * RunDir run = RunDir.openOrCreate(Path.of("runs"), name, configYaml, resume);
 * TrainState state = ModelState.of(model, opt).with("ema", ema);   // saved together; copies freed after writing
 * TrainingLoop.builder().setRun(run).setTotalSteps(steps).setSeed(seed)
 *         .optLearningRate(schedule).optLogEvery(100).optCheckpointEvery(5000).optResume(resume)
 *         .build()
 *         .run(model.manager(), state, ctx -> {
 *             Batch b = data.batch(ctx.random(Seeds.DATA), ctx.manager());  // a function of (seed, step)
 *             opt.zeroGrad();
 *             double loss;
 *             try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *                 NDArray l = objective(model, b);
 *                 gc.backward(l);
 *                 loss = l.getFloat();
 *             }
 *             ctx.update(opt, loss);   // refuses a non-finite gradient: the run stops, the last checkpoint stays
 *             return StepResult.of(loss, b.size());
 *         });
 * }</pre>
 *
 * <p><b>Why the progress line is not {@code me.tongfei:progressbar}</b> (0.10.1, checked for issue
 * 15). Most runs have no terminal (CI, {@code nohup}, a scheduler's log), and there the line must be
 * an SLF4J INFO line every {@code progressLogSeconds} and one at the last step, written by the
 * training thread. The library's only non-terminal path, {@code DelegatingProgressBarConsumer},
 * renders from a shared scheduled thread at a fixed rate (so log lines come from another thread,
 * not tied to step completion, and the last step's line only from {@code close()}), sizes the bar
 * through {@code TerminalUtils.getTerminalWidth()} unless given a width, and the library requires
 * JLine 3 (about 1.1 MB, declared in its {@code module-info}) for terminal detection. That is a
 * thread and a megabyte for what {@code Progress} does in 80 lines, and it would still need the
 * same code around it for loss, lr and samples/s.
 */
package dev.usp.train.loop;
