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
};

export default nextConfig;
