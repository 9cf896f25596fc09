/** The message under Temporal's wrappers: activity and child-workflow failures carry the real cause. */
export function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (
    e instanceof Error &&
    e.cause instanceof Error &&
    /Activity task failed|Child Workflow execution failed|Activity function/.test(e.message)
  )
    e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
