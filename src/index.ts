/** parley's library API: the mock, the contract suite and the spec engine they share. */
export {
  startMockServer,
  createMockApp,
  DEFAULT_LIMITS,
  type MockServerOptions,
  type RunningMock,
} from './mock/server.js';
export { createMockHandler, type MockHandler, type MockHandlerOptions } from './mock/in-process.js';
export { SESSION_HEADER } from './mock/session.js';
export {
  runContract,
  conforms,
  TargetUnreachableError,
  UnknownSelectionError,
  EmptySelectionError,
  type ContractOptions,
  type Progress,
} from './contract/runner.js';
export { CheckRegistry, defaultCheckRegistry } from './contract/checks/registry.js';
export { verdictOf, untestedOperations, type RunVerdict } from './contract/collect.js';
export { StateFileError } from './mock/state-file.js';
export { STATE_SAVE_CHANNEL, type StateSaveEvent, type StateSaveKind } from './mock/state-save-events.js';
export type { StateFileSystem, StateFileHandle } from './mock/state-io.js';
export { formatReport } from './contract/report/console.js';
export { toJUnit } from './contract/report/junit.js';
export { testReportHtml, type TestHtmlOptions } from './contract/report/html.js';
export {
  CoverageModel,
  coverageShortfall,
  formatCoverage,
  parametersPresent,
  type CoverageItem,
  type CoverageSummary,
  type OperationCoverage,
  type Phase as CoveragePhase,
  type ProbeSide,
  type Ratio,
} from './coverage/index.js';
export {
  fail,
  request,
  jsonOf,
  statusOf,
  operationKey,
  precondition,
  PreconditionFailed,
  type ApiContract,
  type ContractSession,
  type Sequence,
  type SequenceOutcome,
} from './contract/api-contract.js';
export {
  echoMismatch,
  expectAnswer,
  identicalCreatesAreDistinct,
  undocumentedAnswer,
  type DistinctCreates,
} from './contract/properties.js';
export {
  collectionsOf,
  genericContract,
  GENERIC_SEQUENCE_NAMES,
  type Collection,
} from './contract/generic-contract.js';
export type { ContractRequest, ContractResponse, Exchange, RequestKind, CheckContext } from './contract/types.js';
export type {
  Report,
  Failure,
  FailureKind,
  Flaky,
  Untested,
  Warning,
  Tally,
  Check,
  Verdict,
  Phase,
  Replay,
  ConstraintCoverage,
  ConstraintProbes,
} from './contract/types.js';
export { defineConfig, type ParleyConfig, type SpecEntry, type FlagDefaults } from './config/types.js';
export { BUNDLED_APIS, BUNDLED_CONTRACTS, contractsOf, DEMO_AGENT } from './apis/index.js';
export type { ApiModule } from './apis/api-module.js';
export type { FixtureKind, FixtureRecord, FixtureData } from './mock/fixtures.js';
export type { Behaviour, RequestContext, Reply, Outcome } from './mock/behaviour.js';
export { loadSpec, loadSpecs, SpecError, type LoadOptions } from './openapi/load.js';
export type { SpecCacheOptions } from './openapi/cache/open.js';
export { SpecValidator } from './openapi/validator.js';
export { schemaArbitrary } from './openapi/arbitrary.js';
export type { Spec, Operation } from './openapi/types.js';
export type { JsonObject, JsonValue } from './openapi/json-value.js';
