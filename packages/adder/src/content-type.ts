/** The upload's Content-Type check (@cluster/api's, with this package's error class). */
import { AddRequestError, multipartBoundary } from '@cluster/api'
import { InvalidUploadError } from './errors.ts'

/** The multipart boundary of an upload's Content-Type; throws InvalidUploadError with Go's text otherwise. */
export function uploadBoundary (contentType: string): string {
  try {
    return multipartBoundary(contentType)
  } catch (err) {
    if (err instanceof AddRequestError) throw new InvalidUploadError(err.message)
    throw err
  }
}

/**
 * Throws InvalidUploadError with Go's text (`request Content-Type isn't multipart/form-data`,
 * or `no multipart boundary param in Content-Type`) unless the content type is
 * multipart/form-data (or multipart/mixed) with a boundary. Call it before answering 200.
 */
export function checkUploadContentType (contentType: string): void {
  uploadBoundary(contentType)
}
