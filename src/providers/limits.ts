/** When a provider does not say: a few requests at once, like a browser per host. */
export const DEFAULT_MAX_IN_FLIGHT = 8;
