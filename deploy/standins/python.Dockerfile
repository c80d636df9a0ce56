# Test stand-in for python:3.12-slim, built by deploy/standins/build.sh when no image registry
# can be reached. Debian bookworm's Python is 3.11 (the project needs >= 3.11); like the real
# image it has `python`, `python3` and venv. Never published: it exists only inside the test's
# own Docker daemon.
FROM forumscraper-standin/bookworm:minbase

ENV LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive

# The host's CA bundle, so that pip inside image builds reaches the package index through
# whatever TLS interception the host's network has. Kept apart from /etc/ssl/certs so that a
# later update-ca-certificates cannot drop it.
COPY ca-certificates.crt /usr/local/share/standin/ca-certificates.crt
ENV PIP_CERT=/usr/local/share/standin/ca-certificates.crt \
    SSL_CERT_FILE=/usr/local/share/standin/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/usr/local/share/standin/ca-certificates.crt

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 \
    && rm -rf /var/lib/apt/lists/*

CMD ["python3"]
