import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

/** What Node's HTTP parser refused, in the words of the problem answer. */
function describe(error: NodeJS.ErrnoException): { status: number; detail: string; path: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        detail:
          'The request headers are too large (16 KB in all at most). Send fewer or shorter headers.',
        path: '(headers)',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        detail: 'The request took too long to arrive. Send it again.',
        path: '(request)',
      };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
      return {
        status: 400,
        detail: `The body framing is invalid (${error.code}): send one Content-Length, or Transfer-Encoding: chunked, not both.`,
        path: '(headers)',
      };
    default:
      return {
        status: 400,
        detail: `The request is not valid HTTP/1.1 (${error.code ?? error.message}).`,
        path: error.code?.includes('HEADER') ? '(headers)' : '(request)',
      };
  }
}

/**
 * Answers what Node's HTTP parser refuses before Express sees it (oversized or malformed headers, two
 * Content-Lengths) with problem+json like every other refusal, instead of Node's bare text answer.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that has gone, or a response already under way: nothing sensible can be written.
    if (
      error.code === 'ECONNRESET' ||
      !socket.writable ||
      (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
    ) {
      socket.destroy();
      return;
    }
    const { status, detail, path } = describe(error);
    const title = TITLES[status] ?? 'Bad Request';
    const body = JSON.stringify({
      type: 'about:blank',
      title,
      status,
      detail,
      errors: [{ path, message: detail }],
    });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
