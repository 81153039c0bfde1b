/**
 * The four Fashion-MNIST files: their names at the sources, the names we serve them under, and
 * the size and SHA-256 of their decompressed bytes (see shared/data/fashion-mnist.md). Sources
 * recompress the `.gz` archives differently, so only the decompressed bytes are checked.
 */

/** Key of one of the four files, as used in the prepared manifest. */
export type FashionMnistFileKey = "trainImages" | "trainLabels" | "testImages" | "testLabels";

/** One of the four Fashion-MNIST files. */
export interface FashionMnistFileSpec {
  key: FashionMnistFileKey;
  /** Split the file belongs to. */
  split: "train" | "test";
  /** Images ([count, 28, 28], pixels 0..255) or labels ([count], classes 0..9). */
  kind: "images" | "labels";
  /** Name at every source, without `.gz`, e.g. "train-images-idx3-ubyte". */
  sourceName: string;
  /** Name of the gzip file we serve, relative to the manifest, e.g. "train-images.idx.gz". */
  servedName: string;
  /** Number of images or labels. */
  count: number;
  /** Length of the decompressed IDX file in bytes. */
  rawBytes: number;
  /** SHA-256 of the decompressed IDX file, 64 lowercase hex digits. */
  rawSha256: string;
}

/** The four files, in the order they are fetched and listed. */
export const FASHION_MNIST_FILES: readonly FashionMnistFileSpec[] = [
  {
    key: "trainImages",
    split: "train",
    kind: "images",
    sourceName: "train-images-idx3-ubyte",
    servedName: "train-images.idx.gz",
    count: 60_000,
    rawBytes: 47_040_016,
    rawSha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  },
  {
    key: "trainLabels",
    split: "train",
    kind: "labels",
    sourceName: "train-labels-idx1-ubyte",
    servedName: "train-labels.idx.gz",
    count: 60_000,
    rawBytes: 60_008,
    rawSha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  },
  {
    key: "testImages",
    split: "test",
    kind: "images",
    sourceName: "t10k-images-idx3-ubyte",
    servedName: "test-images.idx.gz",
    count: 10_000,
    rawBytes: 7_840_016,
    rawSha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  },
  {
    key: "testLabels",
    split: "test",
    kind: "labels",
    sourceName: "t10k-labels-idx1-ubyte",
    servedName: "test-labels.idx.gz",
    count: 10_000,
    rawBytes: 10_008,
    rawSha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
];

/** Where the Debian/Ubuntu package `dataset-fashion-mnist` installs the four `.gz` files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** Upstream download folder; append `/<sourceName>.gz`. */
export const FASHION_MNIST_DOWNLOAD_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com";

/** Where the prepared (served) files and manifest.json live, relative to the project root. */
export const PREPARED_DATA_DIR = "public/data/fashion-mnist";

/** Most bytes the four served files may take together (decimal megabytes: 32 MB). */
export const SERVED_BYTES_BUDGET = 32_000_000;
