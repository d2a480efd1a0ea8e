export { auditEncoding, auditHash, canonicalJson, GENESIS_HASH } from './chain.js';
export { type AuditProblem, type AuditVerification, verifyAuditChain } from './verify.js';
