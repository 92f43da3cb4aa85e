/** The activations the engine's kernels apply after a sum (upstream's Conv: LeakyReLU(0.1); MobileNetV2: ReLU6). */
export type FusedActivation = 'linear' | 'relu6' | 'leakyrelu';
