package dev.usp.models.vit;

/** A transformer width/depth/heads triple shared by the MAE encoder and the classifier of one size. */
public record VitSize(long dim, int depth, int heads) {

    /** ViT-Tiny-like CPU size of this project (not in the paper): 192 wide, 6 deep, 3 heads. */
    public static final VitSize TINY = new VitSize(192, 6, 3);
    /** ViT-B: 768/12/12. */
    public static final VitSize BASE = new VitSize(768, 12, 12);
    /** ViT-L: 1024/24/16. */
    public static final VitSize LARGE = new VitSize(1024, 24, 16);
    /** USP's XLarge, DiT-XL's width and depth: 1152/28/16. */
    public static final VitSize XLARGE = new VitSize(1152, 28, 16);
    /** ViT-H: 1280/32/16. */
    public static final VitSize HUGE = new VitSize(1280, 32, 16);
}
