import socket, sys, time
mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def frame(i):
    text = "HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.%d" % (i%250) if i % 1000 == 7 else "03 09:26:29   7 HTTP  INFO  request %d" % i
    return ("<134>1 2026-12-01T22:00:%02dZ ar%02d HTTP - - - %s" % (i%60, i%10, text)).encode()
t=time.time()
if mode == "tcp":
    s = socket.create_connection(("127.0.0.1", port))
    buf = bytearray()
    for i in range(n):
        f = frame(i); buf += str(len(f)).encode() + b" " + f
        if len(buf) > 65536: s.sendall(buf); buf = bytearray()
    s.sendall(buf); s.close()
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        s.sendto(frame(i), ("127.0.0.1", port))
        if i % 200 == 0: time.sleep(0.001)
print("sent %d in %.2fs" % (n, time.time()-t), file=sys.stderr)
