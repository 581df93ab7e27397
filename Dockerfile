# Build and run xiaobao. The image holds only the binary; data ships inside it.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin xiaobao

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 xiaobao && apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/xiaobao /usr/local/bin/xiaobao
USER xiaobao
WORKDIR /var/lib/xiaobao
EXPOSE 8080
ENTRYPOINT ["xiaobao"]
CMD ["serve"]
