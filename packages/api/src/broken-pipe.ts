/** Streams already watched. */
const watched = new WeakSet<object>()

/**
 * A reader that stops reading the process's output (`… | head -1`) ends the process at once and
 * quietly, with the exit code set so far (0 by default), as a Go program dies of SIGPIPE, instead
 * of an unhandled EPIPE error and its stack trace. Other write errors are thrown as before.
 */
export function endQuietlyOnBrokenPipe (stream: NodeJS.WriteStream): void {
  if (watched.has(stream)) return
  watched.add(stream)
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}
