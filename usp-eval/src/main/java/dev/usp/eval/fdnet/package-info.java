/**
 * FD-FMNIST and IS-FMNIST: generation metrics for the embedded Fashion-MNIST default, measured
 * with a small classifier this project trains itself, because the SD VAE's usual evaluator
 * (Inception-v3) cannot be downloaded here. Reports must call them FD-FMNIST (Frechet distance in
 * the net's 128-d penultimate features) and IS-FMNIST (an Inception-Score-like score of its
 * softmax over 10 splits), never FID or IS: the numbers are not comparable with published ones.
 *
 * <ul>
 *   <li>{@link dev.usp.eval.fdnet.FmnistFeatureNet}: conv 3x3 + ReLU + max-pool x3 (16/32/64
 *       channels), {@code fc1} (features), {@code fc2} (10 logits); PyTorch key names; checked
 *       against a PyTorch mirror ({@code scripts/fixtures/fdnet.py}).</li>
 *   <li>{@code dev.usp.train.fdnet.FdNetTrainer} (usp-train): AdamW ({@code dev.usp.train.optim}) on the
 *       shared {@code TrainingLoop}; {@code usp train-fdnet} writes
 *       {@code <out>/fmnist-featnet.safetensors} and its JSON sidecar ({@link dev.usp.eval.fdnet.FdNetWeights}).</li>
 *   <li>{@link dev.usp.eval.fdnet.FdFmnist}: features and softmax of images (N, 1, 32, 32) in
 *       [-1, 1], cached reference statistics of a real split, and the two scores.</li>
 * </ul>
 *
 * <p>Input form: Fashion-MNIST 28x28 padded by 2 pixels of background (0) to 32x32, then
 * {@code x / 127.5 - 1}, as the VAE pipeline produces it.
 *
 * <p><b>Measured</b> (2026-11-29, seed 0, on this project's CPU machine: 2 cores shared with other
 * jobs at load average 10-20): {@code scripts/usp train-fdnet --out runs/fdnet} with the defaults
 * (4 epochs, batch 128, AdamW lr 2e-3 warm-up 0.2 epochs then cosine, weight decay 1e-4) reached
 * <b>90.34%</b> top-1 accuracy on the 10,000 Fashion-MNIST test images, in 1,795 s of training
 * wall time under that load (10.3 CPU-minutes for the whole command, so about 5 minutes on 2 idle
 * cores). With {@code --epochs 3}: 89.68% (8.0 CPU-minutes). Those weights against the
 * training split's statistics (computed in 22 s): the 10,000 real test images score FD-FMNIST
 * 0.26 and IS-FMNIST 7.83; the first 5,000 test images 0.65 / 7.78; the same with Gaussian noise
 * of std 0.3 added, 323 / 5.63; uniform noise in [-1, 1], 1799 / 1.11.
 */
package dev.usp.eval.fdnet;
