/// Answers captured from etcd 3.4.23's v3 gateway (Debian's etcd-server) with curl and a raw
/// socket, pasted as they came. Note what the gateway does: int64s are strings, fields at their
/// default are left out (an empty value, `watch_id` 0, `type` PUT, `count` of an empty range),
/// errors are HTTP 400/404 with a chunked body and a trailer, and streams are one
/// `{"result":…}` object and a newline per chunk.
enum GatewayFixtures {
    static let rangeOne = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"3","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}],"count":"1"}"#
    static let rangeNone = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"3","raft_term":"2"}}"#
    static let rangeLimited = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"5","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}],"more":true,"count":"2"}"#
    /// Three keys; the last has an empty value, so no "value" at all; the second a binary one.
    static let rangePrefix = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"5","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"},{"key":"Zm9vMQ==","create_revision":"5","mod_revision":"5","version":"1","value":"AP8="},{"key":"Zm9w","create_revision":"4","mod_revision":"4","version":"1"}],"count":"3"}"#
    static let rangeLeased = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"10","raft_term":"2"},"kvs":[{"key":"bGVhc2Vk","create_revision":"10","mod_revision":"10","version":"1","value":"eA==","lease":"2324035885013651482"}],"count":"1"}"#
    static let put = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"2","raft_term":"2"}}"#
    static let deleteOne = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"6","raft_term":"2"},"deleted":"1"}"#
    static let deleteNone = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"6","raft_term":"2"}}"#
    static let txnSucceeded = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"7","raft_term":"2"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"7"}}}]}"#
    /// The failure branch: range, delete of nothing, put; no "succeeded" (false is the default).
    static let txnFailed = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"8","raft_term":"2"},"responses":[{"response_range":{"header":{"revision":"7"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"7","version":"3","value":"cXV4"}],"count":"1"}},{"response_delete_range":{"header":{"revision":"7"}}},{"response_put":{"header":{"revision":"8"}}}]}"#
    /// A failed compare with empty branches: nothing but the header.
    static let txnEmpty = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"8","raft_term":"2"}}"#
    static let txnDeleted = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"9","raft_term":"2"},"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"9"},"deleted":"1"}}]}"#
    static let leaseGrant = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"9","raft_term":"2"},"ID":"2324035885013651478","TTL":"30"}"#
    static let compaction = #"{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"13","raft_term":"2"}}"#
    /// Keep-alive's body (a stream of one object): alive, then for a lease that is gone (no TTL).
    static let keepAliveAlive = "{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"10\",\"raft_term\":\"2\"},\"ID\":\"2324035885013651482\",\"TTL\":\"30\"}}\n"
    static let keepAliveGone = "{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"11\",\"raft_term\":\"2\"},\"ID\":\"2324035885013651482\"}}\n"

    static let errorFutureRevision = #"{"error":"etcdserver: mvcc: required revision is a future revision","message":"etcdserver: mvcc: required revision is a future revision","code":11}"#
    static let errorCompacted = #"{"error":"etcdserver: mvcc: required revision has been compacted","message":"etcdserver: mvcc: required revision has been compacted","code":11}"#
    static let errorLeaseNotFound = #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#
    static let errorNotJSON = #"{"error":"invalid character 'o' in literal null (expecting 'u')","message":"invalid character 'o' in literal null (expecting 'u')","code":3}"#

    static let watchCreated = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"11","raft_term":"2"},"created":true}}"#
    /// A watch from revision 2 with prev_kv: the first put has no previous value.
    static let watchPuts = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"11","raft_term":"2"},"events":[{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}},{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"},"prev_kv":{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}},{"kv":{"key":"Zm9v","create_revision":"2","mod_revision":"7","version":"3","value":"cXV4"},"prev_kv":{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}}]}}"#
    static let watchDelete = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"12","raft_term":"2"},"events":[{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"12"},"prev_kv":{"key":"Zm9v","create_revision":"2","mod_revision":"7","version":"3","value":"cXV4"}}]}}"#
    /// The answer to a progress request (etcd 3.4 gives it watch id -1).
    static let watchProgress = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"13","raft_term":"2"},"watch_id":"-1"}}"#
    /// After "created", a watch from a compacted revision is canceled; the header has no revision.
    static let watchCompacted = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","raft_term":"2"},"canceled":true,"compact_revision":"9"}}"#
    static let watchCanceledByRequest = #"{"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"13","raft_term":"2"},"watch_id":"7","canceled":true}}"#
    /// grpc-gateway's shape for an error in the middle of a stream.
    static let watchStreamError = #"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"#

    /// The raw bytes of a watch answer as they came off the socket: head, then one chunk per message.
    static let watchStreamBytes = "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Headers: accept, content-type, authorization\r\nAccess-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: application/json\r\nGrpc-Metadata-Content-Type: application/grpc\r\nDate: Tue, 08 Dec 2026 00:09:29 GMT\r\nTransfer-Encoding: chunked\r\n\r\n8b\r\n{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"11\",\"raft_term\":\"2\"},\"created\":true}}\n\r\n120\r\n{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"12\",\"raft_term\":\"2\"},\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"Zm9v\",\"mod_revision\":\"12\"},\"prev_kv\":{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"7\",\"version\":\"3\",\"value\":\"cXV4\"}}]}}\n\r\ne9\r\n{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"13\",\"raft_term\":\"2\"},\"events\":[{\"kv\":{\"key\":\"Zm9vMg==\",\"create_revision\":\"13\",\"mod_revision\":\"13\",\"version\":\"1\",\"value\":\"eg==\"}}]}}\n\r\n"
    /// A unary error as it came off the socket: 400, chunked, with a trailer.
    static let errorAnswerBytes = "HTTP/1.1 400 Bad Request\r\nAccess-Control-Allow-Headers: accept, content-type, authorization\r\nAccess-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: application/json\r\nTrailer: Grpc-Trailer-Content-Type\r\nDate: Tue, 08 Dec 2026 00:09:22 GMT\r\nTransfer-Encoding: chunked\r\n\r\n93\r\n{\"error\":\"etcdserver: mvcc: required revision is a future revision\",\"message\":\"etcdserver: mvcc: required revision is a future revision\",\"code\":11}\r\n0\r\nGrpc-Trailer-Content-Type: application/grpc\r\n\r\n"
    /// A put's answer as it came off the socket: Content-Length.
    static let putAnswerBytes = "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Headers: accept, content-type, authorization\r\nAccess-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: application/json\r\nGrpc-Metadata-Content-Type: application/grpc\r\nDate: Tue, 08 Dec 2026 00:09:06 GMT\r\nContent-Length: 111\r\n\r\n{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"2\",\"raft_term\":\"2\"}}"
    /// A keep-alive's answer as it came off the socket: one chunk, then the last chunk.
    static let keepAliveAnswerBytes = "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Headers: accept, content-type, authorization\r\nAccess-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: application/json\r\nGrpc-Metadata-Content-Type: application/grpc\r\nDate: Tue, 08 Dec 2026 00:09:21 GMT\r\nTransfer-Encoding: chunked\r\n\r\n85\r\n{\"result\":{\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":\"3319814642761637952\",\"revision\":\"11\",\"raft_term\":\"2\"},\"ID\":\"1\"}}\n\r\n0\r\n\r\n"

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
