/** Coverage of the specs by a run or a proxied session: the model, and how it is shown. */
export {
  CoverageModel,
  parameterId,
  parametersPresent,
  PROBE_SIDES,
  type CoverageItem,
  type CoverageSummary,
  type CoverageTotals,
  type OperationCoverage,
  type Phase,
  type ProbeSide,
  type Ratio,
} from './model.js';
export { coverageRows, coverageShortfall, formatCoverage, formatPercent } from './format.js';
