import { describe, expect, it } from 'vitest';
import { checkLayer, parseHaproxyCheckConfig, parseHaproxyTime, parseServersState, parseShowStat } from './haproxy';

// Captured from HAProxy 2.6 (Debian) in front of two etcd 3.4 members, one of them stopped.
const SHOW_STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
etcd,etcd-1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,30,1,0,0,0,3,0,,1,2,1,,0,,2,0,,0,L7OK,200,1,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:23791,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,30,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
etcd,etcd-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,20,1,0,1,1,2,2,,1,2,2,,0,,2,0,,0,L4CON,,0,,,,,,,,,,,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,3,0,,,,127.0.0.1:23799,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,20,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
etcd,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,UP,30,1,0,,0,3,0,,1,2,0,,0,,1,0,,0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,roundrobin,,,,,,,0,0,0,,,,,0,0,0,0,0,,,,,30,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,6,6,1184,96,0,0,
`;
const SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
2 etcd 1 etcd-1 127.0.0.1 2 0 30 30 3 15 3 4 6 0 0 0 - 23791 - 0 0 - - 0
2 etcd 2 etcd-2 127.0.0.1 0 0 20 20 2 8 2 0 6 0 0 0 - 23799 - 0 0 - - 0
`;

describe('HAProxy parsing', () => {
  it('reads servers of one backend from show stat', () => {
    const s = parseShowStat(SHOW_STAT, 'etcd');
    expect(s.map((x) => [x.name, x.address, x.status, x.weight, x.checkLayer, x.checkStatus])).toEqual([
      ['etcd-1', '127.0.0.1:23791', 'UP', 30, 'L7', 'L7OK'],
      // L4CON: the check could not connect; an HTTP check on a dead member fails the same way.
      ['etcd-2', '127.0.0.1:23799', 'DOWN', 20, 'unknown', 'L4CON'],
    ]);
    expect(parseShowStat(SHOW_STAT, 'other')).toEqual([]);
    expect(() => parseShowStat('garbage', 'etcd')).toThrow(/no CSV header/);
  });
  it('maps check_status to what it says about the kind of check', () => {
    const layer = (status: string | null, field = 'UP') => checkLayer(status, field);
    // Passed: the status names the check's layer.
    expect(['L7OK', 'L7OKC', '* L7OK'].map((s) => layer(s))).toEqual(['L7', 'L7', 'L7']);
    expect(['L4OK', 'L6OK', '* L4OK'].map((s) => layer(s))).toEqual(['L4', 'L4', 'L4']);
    // Failed at layer 7: it was a layer-7 check.
    expect(['L7TOUT', 'L7RSP', 'L7STS'].map((s) => layer(s, 'DOWN'))).toEqual(['L7', 'L7', 'L7']);
    // Failed before its layer, or not run yet: the kind is unknown.
    expect(['L4CON', 'L4TOUT', 'SOCKERR', 'L6TOUT', 'L6RSP', 'INI', 'UNK'].map((s) => layer(s, 'DOWN'))).toEqual(
      new Array(7).fill('unknown'),
    );
    // No check at all.
    expect(layer(null)).toBe('none');
    expect(layer('L7OK', 'no check')).toBe('none');
  });
  it('reads initial weights from show servers state', () => {
    expect(parseServersState(SERVERS_STATE)).toEqual({ 'etcd-1': 30, 'etcd-2': 20 });
  });
  it('reads check settings from a config file', () => {
    const cfg = `defaults\n  default-server inter 3s\nbackend other\n  option httpchk GET /x\nbackend etcd\n  option httpchk GET /healthz\n  http-check expect status 200\n  server a 1.1.1.1:2379 check inter 30s\n  server b 1.1.1.2:2379 check\n  server c 1.1.1.3:2379\n`;
    const c = parseHaproxyCheckConfig(cfg, 'etcd');
    expect(c).toMatchObject({
      type: 'http',
      method: 'GET',
      path: '/healthz',
      expect: 'status 200',
      interMs: { a: 30_000, b: 3000 },
    });
    const type = (body: string) =>
      parseHaproxyCheckConfig(`backend etcd\n${body}  server a 1.1.1.1:1 check\n`, 'etcd').type;
    expect(type('')).toBe('tcp');
    // tcp-check without rules is a connect, like a plain check; with an expect it tests the answer.
    expect(type('  option tcp-check\n')).toBe('tcp');
    expect(type('  option tcp-check\n  tcp-check connect\n')).toBe('tcp');
    expect(
      type(
        '  option tcp-check\n  tcp-check send GET\\ /health\\ HTTP/1.0\\r\\n\\r\\n\n  tcp-check expect string true\n',
      ),
    ).toBe('unknown');
    expect(type('  option ssl-hello-chk\n')).toBe('tcp');
    expect(type('  option redis-check\n')).toBe('unknown');
    expect(parseHaproxyCheckConfig('backend etcd\n  server a 1.1.1.1:1\n', 'etcd').type).toBe('none');
    expect(parseHaproxyTime('1500')).toBe(1500);
    expect(parseHaproxyTime('2m')).toBe(120_000);
    expect(parseHaproxyTime('x')).toBeNull();
  });
});

describe('HAProxy timers and server flags', () => {
  it('reads qtime/ctime/rtime/ttime and their maxima, the proxy mode and the backup flag', () => {
    const [a, b] = parseShowStat(SHOW_STAT, 'etcd');
    // Captured before any session: HAProxy leaves the averages at 0 and the maxima empty.
    expect(a.timers).toEqual({
      qtime: 0,
      ctime: 0,
      rtime: 0,
      ttime: 0,
      qtimeMax: 0,
      ctimeMax: 0,
      rtimeMax: 0,
      ttimeMax: 0,
    });
    expect(a.mode).toBe('tcp');
    expect(a.backup).toBe(false);
    expect(b.checkCode).toBeNull();
    expect(a.checkCode).toBe('200');
    const header = SHOW_STAT.split('\n')[0].slice(2).split(',');
    const row = SHOW_STAT.split('\n')[1].split(',');
    const set = (name: string, v: string) => {
      row[header.indexOf(name)] = v;
    };
    set('qtime', '1');
    set('ctime', '2');
    set('rtime', '');
    set('ttime', '4500');
    set('ctime_max', '35');
    set('bck', '1');
    const [c] = parseShowStat(`# ${header.join(',')}\n${row.join(',')}\n`, 'etcd');
    expect(c.timers).toMatchObject({ qtime: 1, ctime: 2, rtime: null, ttime: 4500, ctimeMax: 35 });
    expect(c.backup).toBe(true);
  });
});
