import { join } from 'node:path';
import { readCsvText } from '../../test/builders/data-tools.js';

/**
 * The evaluation's data sets: tables shipped with scikit-learn (exported by a step in the
 * python-ml image), each with a label column that the scenarios draw classes from. One class may
 * be held back: no reference and no autoencoder ever sees it, and only the unseen-class batches
 * hold it.
 */

export interface EvalDataset {
  name: string;
  /** What makes it hard for a checker, in a few words (for the docs table). */
  traits: string;
  features: string[];
  /** Row-major values (rows × features). */
  values: Float64Array;
  labels: string[];
  rows: number;
  labelColumn: string;
  /** The class held back for the unseen-class scenario (none for two-class data). */
  hiddenClass?: string;
  /** The classes a subpopulation batch is drawn from. */
  subpopulation: string[];
}

interface Spec {
  file: string;
  name: string;
  traits: string;
  labelColumn: string;
  hiddenClass?: string;
  subpopulation: string[];
}

export const DATASET_SPECS: Spec[] = [
  {
    file: 'digits.csv',
    name: 'digits',
    traits: '64 integer pixels 0–16, sparse, three constant in most references',
    labelColumn: 'label',
    hiddenClass: '9',
    subpopulation: ['0', '1', '2', '3', '4'],
  },
  {
    file: 'breast_cancer.csv',
    name: 'breast_cancer',
    traits: '30 heavy-tailed measurements, two classes',
    labelColumn: 'diagnosis',
    subpopulation: ['benign'],
  },
  {
    file: 'wine.csv',
    name: 'wine',
    traits: '13 measurements incl. integer counts, 178 rows',
    labelColumn: 'class',
    hiddenClass: '2',
    subpopulation: ['0'],
  },
  {
    file: 'diabetes.csv',
    name: 'diabetes',
    traits: '10 standardized measurements, one binary (sex)',
    labelColumn: 'progression',
    hiddenClass: 'high',
    subpopulation: ['low'],
  },
];

export async function loadDataset(dir: string, spec: Spec): Promise<EvalDataset> {
  const csv = await readCsvText(join(dir, spec.file));
  const header = csv.header.split(',');
  const labelAt = header.indexOf(spec.labelColumn);
  if (labelAt < 0) throw new TypeError(`${spec.file} has no column ${spec.labelColumn}`);
  const features = header.filter((_, j) => j !== labelAt);
  const values = new Float64Array(csv.lines.length * features.length);
  const labels: string[] = [];
  csv.lines.forEach((line, i) => {
    const cells = line.split(',');
    let k = 0;
    cells.forEach((c, j) => {
      if (j === labelAt) labels.push(c);
      else values[i * features.length + k++] = Number(c);
    });
  });
  return {
    name: spec.name,
    traits: spec.traits,
    features,
    values,
    labels,
    rows: csv.lines.length,
    labelColumn: spec.labelColumn,
    hiddenClass: spec.hiddenClass,
    subpopulation: spec.subpopulation,
  };
}
