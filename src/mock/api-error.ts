/** An error the mock answers with, rendered in the calling API's own documented shape. */
import type { Operation, Spec } from '../openapi/types.js';
import { answerMedia, documentedResponse } from '../openapi/responses.js';
import { errorShapeFor, type ErrorShape } from './error-style.js';
import { schemaShapedError } from './schema-error.js';

/** One validation failure, located FastAPI-style: `['body', 'recall_options', 'limit']`. */
export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export interface ApiError {
  status: number;
  /** Machine-readable code, e.g. AGENT_NOT_FOUND. */
  code: string;
  message: string;
  issues?: FieldIssue[];
  headers?: Record<string, string>;
}

export interface RenderedError {
  status: number;
  contentType: string;
  body: unknown;
  headers?: Record<string, string>;
}

export function renderError(error: ApiError, operation: Operation | undefined, spec: Spec | undefined): RenderedError {
  const shape = errorShapeFor(operation, spec, error.status);
  const documentedType = operation && answerMedia(documentedResponse(operation, error.status))?.mediaType;
  const contentType = documentedType ?? (shape.style === 'problem' ? 'application/problem+json' : 'application/json');
  return { status: error.status, contentType, body: errorBody(shape, error), headers: error.headers };
}

function errorBody(shape: ErrorShape, error: ApiError): unknown {
  switch (shape.style) {
    case 'schema':
      return schemaShapedError(shape.schema, { status: error.status, code: error.code, message: withIssues(error) });
    case 'fastapi':
      return { detail: error.issues ?? error.message };
    case 'envelope':
      return { success: false, error: { code: error.code, message: error.message, details: describeIssues(error) } };
    case 'error-message':
      return { error: error.code.toLowerCase(), message: withIssues(error) };
    case 'problem':
      return {
        type: 'about:blank',
        title: error.code.toLowerCase().replace(/_/g, ' '),
        status: error.status,
        detail: withIssues(error),
        ...(error.issues ? { errors: error.issues } : {}),
      };
  }
}

function describeIssues(error: ApiError): string {
  return error.issues?.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; ') ?? error.message;
}

function withIssues(error: ApiError): string {
  return error.issues ? `${error.message}: ${describeIssues(error)}` : error.message;
}

/** Shorthand for behaviours: `fail(404, 'SESSION_NOT_FOUND', 'Session not found')`. */
export function apiError(status: number, code: string, message: string, issues?: FieldIssue[]): ApiError {
  return { status, code, message, issues };
}
