/** The middle value of some runs (the upper of the two middle ones for an even count); `xs` is left as it is. */
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
