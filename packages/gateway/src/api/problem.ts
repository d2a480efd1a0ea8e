/**
 * Errors as RFC 9457 problem+json carrying a stable MNOGATE_ERR_* code. Every error, including
 * Fastify's own (body too large, bad content type, malformed JSON, schema validation), is mapped
 * to a code from core's table: a client never sees a bare 500 for bad input.
 */
import { ERROR_TABLE, type ErrorCode, isMnogateError } from '@mnogate/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly { path: string; message: string }[];
  readonly [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemOf(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}): Problem {
  const entry = ERROR_TABLE[code];
  // the problem's own members win over details that happen to share a name (a `status` detail, say)
  return {
    ...extra,
    type: `https://mnogate.dev/errors/${code}`,
    title: entry.message,
    status: entry.status,
    code,
    ...(detail && detail !== entry.message ? { detail } : {}),
  };
}

function fromFastify(err: FastifyError): Problem | undefined {
  if (err.validation) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
      message:
        v.keyword === 'additionalProperties'
          ? `unknown field ${(v.params as { additionalProperty?: string }).additionalProperty}`
          : (v.message ?? 'invalid'),
    }));
    return problemOf('MNOGATE_ERR_REQUEST_INVALID', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
      errors,
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemOf('MNOGATE_ERR_REQUEST_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problemOf('MNOGATE_ERR_REQUEST_CONTENT_TYPE', 'send application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problemOf('MNOGATE_ERR_REQUEST_MALFORMED_JSON', 'the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problemOf('MNOGATE_ERR_REQUEST_MALFORMED_JSON');
    default:
      break;
  }
  if (err instanceof SyntaxError || (err as { type?: string }).type === 'entity.parse.failed') {
    return problemOf('MNOGATE_ERR_REQUEST_MALFORMED_JSON');
  }
  if (err.statusCode === 404) return problemOf('MNOGATE_ERR_REQUEST_NOT_FOUND');
  if (err.statusCode === 405) return problemOf('MNOGATE_ERR_REQUEST_METHOD');
  if (err.statusCode === 415) return problemOf('MNOGATE_ERR_REQUEST_CONTENT_TYPE');
  if (err.statusCode === 413) return problemOf('MNOGATE_ERR_REQUEST_TOO_LARGE');
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return problemOf('MNOGATE_ERR_REQUEST_INVALID', err.message);
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Fastify's error handler: every error becomes problem+json. */
export function problemErrorHandler(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let problem: Problem | undefined;
  if (isMnogateError(err)) {
    const details = err.details ? { ...err.details } : {};
    problem = problemOf(err.code, err.message, details);
  } else {
    problem = fromFastify(err);
  }
  if (!problem) {
    request.log.error({ err }, 'unhandled error');
    problem = problemOf('MNOGATE_ERR_INTERNAL_UNEXPECTED');
  }
  return sendProblem(reply, { ...problem, instance: request.url.split('?')[0] });
}
