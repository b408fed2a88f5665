/**
 * @module wire
 * Small pieces every call module shares to speak the HTTP API: JSON bodies, the byte fields' UTF-8/base64
 * twins, and turning a failure into an `Error` response.
 */
import { type BytesLike, toBase64, toBytes, utf8 } from './bytes.ts';
import { CachetteError, ErrorCode, toCachetteError } from './errors.ts';
import { ErrorResponse } from './responses/common.ts';

/** `{ name: text }` for a string, `{ name_base64: … }` for bytes (which may not be valid UTF-8). */
export function bytesField(name: string, value: BytesLike): Record<string, string> {
  return typeof value === 'string' ? { [name]: value } : { [`${name}_base64`]: toBase64(value) };
}

/** A list field the server takes in one encoding: text when every entry is a string, else base64 for all. */
export function bytesListField(name: string, list: readonly BytesLike[]): Record<string, string[]> {
  if (list.every((k) => typeof k === 'string')) return { [name]: list as string[] };
  return { [`${name}_base64`]: list.map((k) => toBase64(toBytes(k))) };
}

/** The answer's body parsed as JSON; `INTERNAL` when the server sent something else. */
export function json<T>(body: Uint8Array): T {
  try {
    return JSON.parse(utf8(body)) as T;
  } catch (error) {
    throw new CachetteError(ErrorCode.INTERNAL, 'the server answered with a body that is not JSON', { cause: error });
  }
}

/** True for the 404 of a missing item or collection (a `Miss`), not of a missing cache (an `Error`). */
export function isItemNotFound(error: unknown): boolean {
  return error instanceof CachetteError && error.code === ErrorCode.NOT_FOUND && error.reason === 'item_not_found';
}

/** `error` as an `Error` response value. */
export function errorResponse(error: unknown): ErrorResponse {
  return new ErrorResponse(toCachetteError(error));
}
