# Registrar's container image: a release build in the Rust image, run from Debian slim.
#
#   docker build -t registrar .          (docker compose builds it too: docker-compose.yml)
#   docker run --rm registrar gen-key    (an at-rest key, no Rust toolchain on the host)
#
# Only Cargo.toml, Cargo.lock and src/ reach the build (.dockerignore), and the dependencies
# are a layer of their own: editing src/ rebuilds Registrar alone, not its ~300 crates.

FROM rust:1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# 1. Dependencies: the manifest and lock file with placeholder sources (benches/micro.rs
#    because Cargo.toml declares that bench). Cached until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && echo 'fn main() {}' > benches/micro.rs \
    && cargo build --release --locked --bin registrar \
    && rm -rf src

# 2. Registrar itself. The copied files keep their own modification times, which may be
#    older than the placeholders' build: touch them so cargo sees the change.
COPY src src
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked --bin registrar

FROM debian:bookworm-slim
# libssl3: outbound fetches (sector_identifier_uri, jwks_uri) use OpenSSL; curl: the
# compose health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/registrar /usr/local/bin/registrar
USER 65534:65534
# Inside a container the listener must take every interface to be reachable at all.
ENV REGISTRAR_LISTEN=0.0.0.0:8080
EXPOSE 8080
# Any subcommand runs: `serve` by default, `gen-key`, `token`, `iat create`.
ENTRYPOINT ["registrar"]
CMD ["serve"]
