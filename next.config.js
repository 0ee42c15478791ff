/** @type {import('next').NextConfig} */
const nextConfig = {
  // etcd3 loads its .proto files from its own folder at run time; native and gRPC modules
  // must not be bundled either.
  serverExternalPackages: ['etcd3', '@grpc/grpc-js', '@grpc/proto-loader', 'cockatiel', 'better-sqlite3', 'pg', 'prom-client'],
  poweredByHeader: false,
  reactStrictMode: true,
  devIndicators: false,
};

export default nextConfig;
