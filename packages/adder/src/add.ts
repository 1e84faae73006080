/** addUpload: the whole `POST /add` pipeline from multipart body to outputs. */
import type { AddParams, AddUpload } from '@cluster/api'
import { BlockWriter } from './block-writer.ts'
import { addCar } from './car.ts'
import { checkUploadContentType } from './content-type.ts'
import { EntrySource } from './entries.ts'
import { AddAbortedError, CarImportError } from './errors.ts'
import { MultipartReader } from './multipart.ts'
import { resolveAddParams } from './params.ts'
import { ProgressFeed, withProgress } from './progress.ts'
import type { AddedNode, AddOptions, BlockSink } from './types.ts'
import { addUnixfs } from './unixfs.ts'

function abortError (signal: AbortSignal): AddAbortedError {
  return new AddAbortedError('add aborted', { cause: signal.reason })
}

/**
 * Streams the upload: parses multipart parts as they arrive, builds the DAG, puts blocks into
 * `sink`, yields outputs in the order Go's cluster adder / `ipfs add` prints them; the last
 * yielded node with a cid is the root. Failures (bad options, malformed or truncated body, sink
 * errors, abort) reject the iteration; the upload is released whatever happens.
 */
export async function * addUpload (upload: AddUpload, params: AddParams, sink: BlockSink, options: AddOptions = {}): AsyncGenerator<AddedNode> {
  const settings = resolveAddParams(params)
  checkUploadContentType(upload.contentType)
  const { signal } = options
  if (signal?.aborted === true) throw abortError(signal)
  const reader = new MultipartReader(upload)
  const writer = new BlockWriter(sink, settings.rehash ? settings.hasher : undefined, signal)
  const onAbort = (): void => { if (signal !== undefined) reader.fail(abortError(signal)) }
  signal?.addEventListener('abort', onAbort, { once: true })
  const source = new EntrySource(reader)
  try {
    if (params.format === 'car') {
      if (settings.wrap) throw new CarImportError('cannot wrap a CAR file upload')
      yield * addCar(source, writer)
    } else if (settings.progress) {
      const progress = new ProgressFeed()
      yield * withProgress(addUnixfs(source, { settings, writer, progress }), progress)
    } else {
      yield * addUnixfs(source, { settings, writer, progress: undefined })
    }
  } catch (err) {
    // The upload's own failure (abort, truncation…) explains whatever it broke downstream.
    throw reader.failure ?? err
  } finally {
    signal?.removeEventListener('abort', onAbort)
    writer.close()
    reader.close()
  }
}
