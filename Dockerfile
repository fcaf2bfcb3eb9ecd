# syntax=docker/dockerfile:1
# A small static image of the eventflux CLI:
#   docker build -t eventflux .
#   docker run --rm -v $PWD/pipeline.yaml:/etc/eventflux/pipeline.yaml eventflux run -c /etc/eventflux/pipeline.yaml

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/eventflux ./cmd/eventflux \
 && mkdir -p /out/state

# distroless/static: no shell, no libc, CA certificates and a nonroot user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/eventflux /usr/local/bin/eventflux
# The working directory holds the state stores (eventflux-state/<app> by
# default); it belongs to nonroot so a named volume mounted here is writable.
COPY --from=build --chown=65532:65532 /out/state /var/lib/eventflux
WORKDIR /var/lib/eventflux
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/eventflux"]
CMD ["--help"]
