/**
 * Where a check's batches live while they are scored: one SharedArrayBuffer cut into slots, each
 * with room for a batch's input and its row errors. The calling thread writes a batch's input
 * into a slot; the inference thread copies it into its own memory (ONNX Runtime refuses tensors
 * over shared memory), reconstructs it, computes the errors there and writes them back into the
 * slot. (A pass over a float32 .npy reads its inputs on the inference thread and uses the slots
 * for the row errors only.)
 * No batch changes hands between threads, so garbage collection is not pressed by megabytes of
 * transferred buffers.
 */

/** Byte offsets of one slot's regions. */
export interface SlotOffsets {
  x: number;
  errors: number;
}

export interface BatchSlots {
  readonly buffer: SharedArrayBuffer;
  /** Rows a slot holds. */
  readonly slotRows: number;
  readonly offsets: readonly SlotOffsets[];
  /** The input region of a slot: `slotRows` rows of `features` float32 values. */
  input(slot: number): Float32Array;
  /** The first `rows` row errors of a slot, as the inference thread wrote them. */
  errors(slot: number, rows: number): Float64Array;
  /** Gives the buffer back for the next check of the same size. */
  release(): void;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
/** Released buffers by size: the next check reuses one instead of mapping and zeroing megabytes again. */
const spare = new Map<number, SharedArrayBuffer[]>();
const SPARE_PER_SIZE = 2;

export function createBatchSlots(features: number, slots: number, slotRows: number): BatchSlots {
  const plane = align16(slotRows * features * 4);
  const slotBytes = plane + align16(slotRows * 8);
  const bytes = slots * slotBytes;
  const offsets = Array.from({ length: slots }, (_, s) => ({ x: s * slotBytes, errors: s * slotBytes + plane }));
  const buffer = spare.get(bytes)?.pop() ?? new SharedArrayBuffer(bytes);
  const inputs = offsets.map((o) => new Float32Array(buffer, o.x, slotRows * features));
  return {
    buffer,
    slotRows,
    offsets,
    input: (slot) => inputs[slot]!,
    errors: (slot, rows) => new Float64Array(buffer, offsets[slot]!.errors, rows),
    release() {
      const free = spare.get(bytes) ?? [];
      if (free.length < SPARE_PER_SIZE && !free.includes(buffer)) free.push(buffer);
      spare.set(bytes, free);
    },
  };
}
