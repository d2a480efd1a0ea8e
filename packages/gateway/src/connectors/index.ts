/** The connectors: one folder per dialect, the shared HTTP call, egress agents and the registry. */
export {
  type ApplicationProbeOptions,
  createApplicationProbe,
  PROBE_REFERENCE,
  probeMsisdn,
  probeOutcome,
} from './application-probe.js';
export * from './connector.js';
export { createEgressAgent, EGRESS_AGENT_DEFAULTS, type EgressAgentOptions } from './egress-agent.js';
export { createErsConnector, ERS_NAMESPACE, ERS_RESULT_CODES } from './ers/index.js';
export { classifyTransportError, type HttpCallResult, httpCall, NOT_SENT_ERROR_CODES } from './http-call.js';
export {
  createHuaweiCbsConnector,
  HUAWEI_CBS_NAMESPACES,
  HUAWEI_CBS_OTHER_CODE,
  HUAWEI_CBS_RESULT_CODES,
} from './huawei-cbs/index.js';
export type { CodeClass, CodeTable } from './outcomes.js';
export {
  createPretupsConnector,
  PRETUPS_AUTH_FAILED_CODES,
  PRETUPS_ERROR_CODE,
  PRETUPS_TXN_STATUS,
} from './pretups/index.js';
export {
  BUILTIN_CONNECTORS,
  type CreateConnectorOptions,
  createConnector,
  isHandlerPath,
} from './registry.js';
export {
  createRestJsonConnector,
  REST_JSON_AUTH_FAILED_STATUSES,
  REST_JSON_STATUSES,
} from './rest-json/index.js';
