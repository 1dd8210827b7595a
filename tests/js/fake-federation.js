// A fake federation server for the proxy's tests (not a test file itself): an HTTPS
// listener on 127.0.0.1 that records every connection and request that reaches it and
// checks each request's X-Matrix signature, so a test can tell what the proxy sent out.
import { createServer as createHttpsServer } from "node:https";
import { verifyRequest } from "../../pkg/node/server/xmatrix.js";

/**
 * A self-signed certificate for 127.0.0.1 (EC P-256, valid until 2126), fixed here so the
 * test needs no openssl: the proxy reaches the test peer with --insecure-tls.
 */
export const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggplr1NYAabxyJbsV
6rU2o4tJLVwLLIiWU6vI5ACXLFehRANCAAQuie7LzoYXBXdLPqliIGFK93ZzglUw
aAk0s+PPb+Bhg2gZDZn9PLxYdJ0LqMYuc4psp+iPizRwfS02qUdZnZ0A
-----END PRIVATE KEY-----`;
export const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUMOgzcM6sNYKQ0tdhiFSyjnoL07owCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAyMTg1NloYDzIxMjYxMDI5
MDIxODU2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQuie7LzoYXBXdLPqliIGFK93ZzglUwaAk0s+PPb+Bhg2gZDZn9PLxY
dJ0LqMYuc4psp+iPizRwfS02qUdZnZ0Ao2QwYjAdBgNVHQ4EFgQUMMK420ru81YW
BeI9ML4dwi2zztkwHwYDVR0jBBgwFoAUMMK420ru81YWBeI9ML4dwi2zztkwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDbWLyA8NRaRlJSiwEYzOyioWIuxL6nc0jnseqLiDMqwAIgLXwS9dE0NADYIDWP
OVaA8tuT+F+VZI32619T9YfyHxo=
-----END CERTIFICATE-----`;

/**
 * Starts the listener. `identity`: `{serverName, key}` whose signatures it accepts;
 * `aliases`: other host names it answers to (with its port, as `Host` and X-Matrix destination);
 * `handler({method, uri, body, headers}, res)` returns `[status, json]` to answer, or
 * undefined when it wrote to `res` itself. Requests whose signature fails get a 401 without
 * reaching the handler. Resolves to `{name ("127.0.0.1:port"), seen [{method, uri, ok,
 * error}], connections (TCP connections accepted), close()}`.
 */
export async function fakeFederation({ identity, handler, aliases = [] }) {
  const seen = [];
  let connections = 0;
  const sockets = new Set();
  const server = createHttpsServer({ key: TLS_KEY, cert: TLS_CERT }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      const body = text ? JSON.parse(text) : undefined;
      const destination = aliases.some((a) => `${a}:${server.address().port}` === req.headers.host) ? req.headers.host : name;
      const check = verifyRequest(
        { method: req.method, uri: req.url, destination, content: body, authorization: req.headers.authorization },
        (origin, keyId) => (origin === identity.serverName && keyId === identity.key.keyId ? identity.key.publicKey : null),
      );
      seen.push({ method: req.method, uri: req.url, ok: check.ok, error: check.error });
      const reply = check.ok ? handler({ method: req.method, uri: req.url, body, headers: req.headers }, res)
        : [401, { errcode: "M_UNAUTHORIZED", error: check.error }];
      if (!reply) return;
      res.writeHead(reply[0], { "content-type": "application/json" });
      res.end(JSON.stringify(reply[1]));
    });
  });
  server.on("connection", (socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const name = `127.0.0.1:${server.address().port}`;
  return {
    name,
    seen,
    get connections() {
      return connections;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
