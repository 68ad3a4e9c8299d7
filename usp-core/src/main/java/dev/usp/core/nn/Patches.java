package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * MAE's {@code patchify}/{@code unpatchify}: images (N, C, H, W) to patch rows (N, L, p*p*C) and
 * back. Patches are in row-major order and each row is ordered (p, q, c), as the official code.
 */
public final class Patches {

    private Patches() {
    }

    /** (N, C, H, W) -> (N, L, p*p*C) with L = (H/p)(W/p). */
    public static NDArray patchify(NDArray x, int p) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[2] % p != 0 || s[3] % p != 0) {
            throw new IllegalArgumentException("patchify expects (N, C, H, W) with H, W divisible by " + p
                    + ", got " + x.getShape());
        }
        long n = s[0];
        long c = s[1];
        long h = s[2] / p;
        long w = s[3] / p;
        return x.reshape(n, c, h, p, w, p)
                .transpose(0, 2, 4, 3, 5, 1)       // (N, h, w, p, q, C)
                .reshape(n, h * w, (long) p * p * c);
    }

    /** (N, L, p*p*C) -> (N, C, H, W) for a square grid of L patches. */
    public static NDArray unpatchify(NDArray x, int p, int channels) {
        long[] s = x.getShape().getShape();
        long side = Math.round(Math.sqrt(s[1]));
        if (s.length != 3 || side * side != s[1] || s[2] != (long) p * p * channels) {
            throw new IllegalArgumentException("unpatchify expects (N, L, " + p * p * channels
                    + ") with square L, got " + x.getShape());
        }
        long n = s[0];
        return x.reshape(n, side, side, p, p, channels)
                .transpose(0, 5, 1, 3, 2, 4)       // (N, C, h, p, w, q)
                .reshape(n, channels, side * p, side * p);
    }
}
