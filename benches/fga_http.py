"""FGA check latency over HTTP: the same 5-level folder hierarchy as src/bin/bench_fga.rs
(16 trees of fan-out 8, viewers and editors at random, 100,000 relations), stored through
`POST /v1/mgmt/fga/relations`, then `POST /v1/mgmt/fga/check` one tuple at a time over one
keep-alive connection (Python's http.client: its own time is in the figures), and checks
right after a one-tuple write (the cached graph is updated in place, not rebuilt).

    python3 benches/fga_http.py target/release/descope-emulator

Run by scripts/bench.sh after bench_fga; prints only.
"""
import http.client, json, time, random, socket, statistics, subprocess, sys

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/descope-emulator"
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--database", "sqlite::memory:"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
        break
    except OSError:
        time.sleep(0.05)
try:
    c=http.client.HTTPConnection("127.0.0.1",port)
    def call(method,path,body=None,auth=None):
        h={"Content-Type":"application/json"}
        if auth: h["Authorization"]="Bearer "+auth
        c.request(method,path,json.dumps(body) if body is not None else None,h)
        r=c.getresponse(); d=r.read()
        return r.status, (json.loads(d) if d else None)
    st,p=call("POST","/emulator/v1/projects",{})
    auth=p["projectId"]+":"+p["managementKey"]
    dsl="""model AuthZ 1.0
    type user
    type folder
      relation parent: folder
      relation owner: user
      relation viewer: user
      relation editor: user
      permission can_edit: editor | owner | parent.can_edit
      permission can_view: viewer | can_edit | parent.can_view
    """
    assert call("POST","/v1/mgmt/fga/schema",{"dsl":dsl},auth)[0]==200
    tuples=[];leaves=[]
    rng=random.Random(1)
    for t in range(16):
        tuples.append(("folder",f"t{t}","owner","user",f"owner{t}"))
        level=[f"t{t}"]
        for d in range(4):
            nxt=[]
            for f in level:
                for k in range(8):
                    child=f"{f}.{k}"; nxt.append(child)
                    tuples.append(("folder",child,"parent","folder",f))
            level=nxt
        leaves+=level
    while len(tuples)<100000:
        f=rng.choice(leaves); tuples.append(("folder",f,rng.choice(["viewer","editor"]),"user",f"u{rng.randrange(5000)}"))
    tuples=list(dict.fromkeys(tuples))
    t0=time.time()
    for i in range(0,len(tuples),1000):
        batch=[dict(resourceType=a,resource=b,relation=c_,targetType=d,target=e) for a,b,c_,d,e in tuples[i:i+1000]]
        s,_=call("POST","/v1/mgmt/fga/relations",{"tuples":batch},auth); assert s==200,s
    load=time.time()-t0
    def check(leaf,target):
        q={"tuples":[{"resourceType":"folder","resource":leaf,"relation":"can_view","targetType":"user","target":target}]}
        t=time.perf_counter(); s,b=call("POST","/v1/mgmt/fga/check",q,auth); return time.perf_counter()-t, b
    first,_=check(leaves[0],"owner0")
    times=[]
    for i in range(2000):
        leaf=rng.choice(leaves); tree=leaf.split(".")[0][1:]
        target=f"owner{tree}" if i%2==0 else f"u{rng.randrange(5000)}"
        dt,b=check(leaf,target); times.append(dt)
    # write then check
    wc=[]
    for i in range(200):
        s,_=call("POST","/v1/mgmt/fga/relations",{"tuples":[dict(resourceType="folder",resource=leaves[i],relation="viewer",targetType="user",target=f"w{i}")]},auth)
        dt,b=check(leaves[i],f"w{i}"); assert b["tuples"][0]["allowed"]; wc.append(dt)
    times.sort(); wc.sort()
    print(f"stored {len(tuples)} relations in {load:.1f}s; first check {first*1e3:.1f} ms")
    print(f"HTTP check p50 {statistics.median(times)*1e3:.2f} ms p99 {times[int(len(times)*0.99)]*1e3:.2f} ms")
    print(f"check right after a write: p50 {statistics.median(wc)*1e3:.2f} ms p99 {wc[int(len(wc)*0.99)]*1e3:.2f} ms")
finally:
    server.terminate()
    server.wait()
