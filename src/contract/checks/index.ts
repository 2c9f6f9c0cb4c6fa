/** Every stateless check, in report order. Each can be selected with --only / --skip by name. */
import type { Check } from '../types.js';
import { ignoredAuth, invalidRequestRejected, missingCredentialsRejected, validRequestAccepted } from './acceptance.js';
import {
  contentTypeConformance,
  errorSchemaConformance,
  responseSchemaConformance,
  statusCodeConformance,
} from './conformance.js';
import { maxResponseTime, responseHeadersConformance, unsupportedMethod } from './operational.js';
import { notAServerError, responseReceived } from './transport.js';

export const CHECKS: readonly Check[] = [
  responseReceived,
  notAServerError,
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  errorSchemaConformance,
  validRequestAccepted,
  invalidRequestRejected,
  missingCredentialsRejected,
  ignoredAuth,
  responseHeadersConformance,
  unsupportedMethod,
  maxResponseTime,
];
