/** @type {import('next').NextConfig} */
const nextConfig = {
  // etcd3 loads its .proto files from its own folder at run time; native and gRPC modules
  // must not be bundled either.
  serverExternalPackages: [
    'etcd3',
    '@grpc/grpc-js',
    '@grpc/proto-loader',
    'cockatiel',
    'better-sqlite3',
    'pg',
    'prom-client',
  ],
  // FULCRUM_DIST_DIR: build and serve from another directory (parallel builds on one checkout).
  distDir: process.env.FULCRUM_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  devIndicators: false,
  experimental: {
    // The proxy runs on pages only (proxy.ts); a page request has no business carrying a large
    // body, and the proxy would buffer it.
    proxyClientMaxBodySize: '64kb',
  },
  // Headers every response gets. Pages get their Content-Security-Policy (with a nonce and the
  // configured frame-ancestors) from the proxy; API answers are data, never to be run or framed.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
