/** parley's library API: the mock, the contract suite and the spec engine they share. */
export { startMockServer, createMockApp, DEFAULT_LIMITS, type MockServerOptions, type RunningMock } from './mock/server.js';
export { StateFileError } from './mock/state-file.js';
export type { StateFileSystem, StateFileHandle } from './mock/state-io.js';
export { runContract, conforms, TargetUnreachableError, type ContractOptions, type Progress } from './contract/runner.js';
export { formatReport } from './contract/report/console.js';
export { toJUnit } from './contract/report/junit.js';
export { fail, jsonOf, statusOf, operationKey, type ApiContract, type ContractSession, type Sequence, type SequenceOutcome } from './contract/api-contract.js';
export type { ContractRequest, ContractResponse, Exchange, RequestKind } from './contract/types.js';
export type { Report, Failure, Warning, Tally, Check, Verdict } from './contract/types.js';
export { BUNDLED_CONTRACTS } from '../contracts/index.js';
export { loadSpec, loadSpecs, SpecError } from './spec/load.js';
export { SpecValidator } from './spec/validator.js';
export { schemaArbitrary } from './spec/arbitrary.js';
export type { Spec, Operation } from './spec/types.js';
