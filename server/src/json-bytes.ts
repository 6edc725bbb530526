/** The bytes of a value's JSON, as an ack carries it: what the bounds on one answer's size count. */
export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
