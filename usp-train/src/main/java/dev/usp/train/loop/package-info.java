/**
 * The training-run infrastructure every trainer shares: run folder ({@link dev.usp.train.loop.RunDir}),
 * metrics log ({@link dev.usp.train.loop.MetricsLog}), single-file atomic checkpoints
 * ({@link dev.usp.train.loop.Checkpoint}, {@link dev.usp.train.loop.CheckpointStore}), per-step
 * seeds ({@link dev.usp.train.loop.Seeds}) and the step loop ({@link dev.usp.train.loop.TrainingLoop}).
 *
 * <p>A trainer, in outline:
 * <pre>{@code
 * RunDir run = RunDir.openOrCreate(Path.of("runs"), name, configYaml, resume);
 * TrainState state = new TrainState() {
 *     public Map<String, StateDict> stateDicts() {
 *         return Map.of("model", model.stateDict(), "ema", ema.stateDict(), "optimizer", opt.stateDict());
 *     }
 *     public void restore(Checkpoint cp) {
 *         model.loadStateDict(cp.part("model"), true);
 *         ema.loadStateDict(cp.part("ema"), true);
 *         opt.loadStateDict(cp.part("optimizer"));
 *     }
 * };
 * TrainingLoop.builder().setRun(run).setTotalSteps(steps).setSeed(seed)
 *         .optLearningRate(schedule).optLogEvery(100).optCheckpointEvery(5000).optResume(resume)
 *         .build()
 *         .run(model.manager(), state, ctx -> {
 *             Batch b = data.batch(ctx.random(Seeds.DATA), ctx.manager());  // a function of (seed, step)
 *             try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *                 NDArray loss = objective(model, b);
 *                 gc.backward(loss);
 *                 opt.step(ctx.lr(), ctx.manager());   // gradients attached to ctx.manager()
 *                 return StepResult.of(loss.getFloat(), b.size());
 *             }
 *         });
 * }</pre>
 */
package dev.usp.train.loop;
