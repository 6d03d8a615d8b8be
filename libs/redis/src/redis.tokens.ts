/** The shared command connection of this process. */
export const REDIS = Symbol('REDIS');
