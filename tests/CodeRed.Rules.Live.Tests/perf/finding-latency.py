import socket, sys, time, os
port=int(sys.argv[1]); out=sys.argv[2]; res=[]
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    size=os.path.getsize(out)
    t=time.perf_counter()
    s.sendto(("<134>Dec  1 22:00:00 lat%02d HTTP: HTTP ERROR No free HTTP sessions - rejecting connection from 10.0.0.1" % i).encode(), ("127.0.0.1", port))
    while True:
        with open(out,'rb') as f:
            f.seek(size); data=f.read()
        if b'"rule":"CR2001"' in data: break
        time.sleep(0.0002)
    res.append((time.perf_counter()-t)*1000)
res.sort(); print("latency ms: median %.2f, p90 %.2f, max %.2f" % (res[10], res[18], res[19]))
