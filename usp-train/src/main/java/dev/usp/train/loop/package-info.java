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
 */
package dev.usp.train.loop;
