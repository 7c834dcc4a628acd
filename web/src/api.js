// The service's GraphQL API and files, with the signed-in user's token.
import { createClient } from 'graphql-ws';
import { accessToken } from './auth.js';

/** The token was refused (expired, or the issuer's key changed): the user signs in again. */
export const SIGNED_OUT = 'viewer:signed-out'; // errorBox offers to sign in again

function signedOut() {
  return new ApiError('your session has ended: sign in again', SIGNED_OUT);
}

/** A refusal or failure the service explained: its stable code and message. */
export class ApiError extends Error {
  constructor(message, code) {
    super(code ? `${message} (${code})` : message);
    this.code = code;
  }
}

export async function gql(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${accessToken()}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) {
    const first = body.errors[0];
    throw new ApiError(first.message, first.extensions?.code || first.extensions?.classification);
  }
  if (response.status === 401) throw signedOut();
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`);
  return body.data;
}

/** A file the API named (a download path), as bytes. */
export async function download(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${accessToken()}` } });
  if (response.status === 401) throw signedOut();
  if (!response.ok) throw new ApiError(`download of ${path} failed: HTTP ${response.status}`);
  return response.arrayBuffer();
}

let socket;

/** A subscription over graphql-transport-ws; returns the function that ends it. */
export function subscribe(query, variables, onNext, onError = () => {}) {
  if (!socket) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = createClient({
      url: () => `${scheme}://${location.host}/graphql?access_token=${encodeURIComponent(accessToken())}`,
      lazy: true,
      retryAttempts: 5,
    });
  }
  return socket.subscribe(
    { query, variables },
    {
      next: (message) => (message.errors ? onError(message.errors[0]) : onNext(message.data)),
      error: onError,
      complete: () => {},
    },
  );
}
