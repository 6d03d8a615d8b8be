# Debian's nginx. Only installed here; the native topology (scripts/topology.sh) renders the
# repo's nginx.conf with the local ports and runs it, because its upstreams are the gateways.

nginx_install() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || apt_install nginx-light; }
