/**
 * A model configuration: the hyperparameters that name a tuning-table row (see row-id.ts), as zod
 * schemas and their types. schema.ts builds run records on them; row-id.ts names them.
 */
import { z } from "zod";

/** Model configuration of the 2-conv CNN family. */
export const cnnConfigSchema = z.object({
  family: z.literal("cnn"),
  conv1: z.number().int().positive(),
  conv2: z.number().int().positive(),
  kernel: z.number().int().positive(),
  dense: z.number().int().positive(),
});
/** Model configuration of the ResNet-style family. */
export const resnetConfigSchema = z.object({
  family: z.literal("resnet"),
  blocks: z.number().int().positive(),
  filters: z.number().int().positive(),
  /**
   * Whether the stem ends in a 2x2 max pool (28x28 -> 14x14), as in every row of the study's grid
   * (absent means true). `false` is the full-resolution ablation (`resnet-<b>x<f>-nopool`).
   */
  stemPool: z.boolean().optional(),
});
export const modelConfigSchema = z.discriminatedUnion("family", [cnnConfigSchema, resnetConfigSchema]);
export type CnnConfig = z.infer<typeof cnnConfigSchema>;
export type ResNetConfig = z.infer<typeof resnetConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;
