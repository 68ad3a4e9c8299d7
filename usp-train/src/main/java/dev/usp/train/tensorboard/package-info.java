/**
 * TensorBoard event files beside {@code metrics.jsonl}, so that {@code tensorboard --logdir runs/}
 * shows every run as the official scripts' {@code SummaryWriter} logs would.
 * {@link dev.usp.train.loop.MetricsLog} is the only writer: every value logged there also becomes
 * a scalar, under the tag and x-axis of the run's {@link dev.usp.train.tensorboard.TensorBoardTags}
 * (MAE pretraining: {@code train_loss} and {@code lr} against {@code epoch_1000x}; fine-tuning and
 * linear probing: {@code loss}, {@code lr} against {@code epoch_1000x} and {@code perf/test_acc1},
 * {@code perf/test_acc5}, {@code perf/test_loss} against the epoch; the rest: each key against the
 * step), and the sample and reconstruction grids become image summaries.
 *
 * <p>The format, written by {@link dev.usp.train.tensorboard.EventFile}: TFRecords (length as
 * uint64, masked CRC32C of the length, data, masked CRC32C of the data) around {@code Event}
 * protobufs ({@code wall_time} 1, {@code step} 2, {@code file_version} 3, {@code summary} 5,
 * {@code session_log} 7; {@code Summary.value} 1 with {@code tag} 1, {@code simple_value} 2,
 * {@code image} 4). The protobuf encoding is written by hand in a 100-line class: these four
 * messages use three wire types, and the protobuf runtime (about 1.7 MB) with generated classes or
 * a {@code protoc} build step would be the largest dependency of the module for them. The tests
 * check the bytes against files written by TensorBoard's own writer and read back by its reader.
 */
package dev.usp.train.tensorboard;
