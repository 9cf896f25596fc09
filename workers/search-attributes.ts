import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { TIDEMARK_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';

type OperatorService = Connection['operatorService'];

/**
 * Registers Tidemark's search attributes in `namespace`, adding only the missing ones, so that
 * calling it on every worker start is cheap and safe.
 */
export async function registerSearchAttributes(operatorService: OperatorService, namespace: string): Promise<string[]> {
  const existing = await operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = TIDEMARK_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(
    missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );
  try {
    await operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    // Two workers starting at once may race; what matters is that the attributes exist now.
    const again = await operatorService.listSearchAttributes({ namespace });
    const stillMissing = missing.filter((key) => !(key.name in (again.customAttributes ?? {})));
    if (stillMissing.length > 0) throw err;
  }
  return missing.map((key) => key.name);
}
