// The one live status stream of a browser's Triad pages (of one session: the pages name the
// worker after it). Each page connects, says hello, and is sent the latest snapshot at once;
// every event of the stream goes to every page. When the last page says bye (closed, or hidden
// into the back-forward cache) the stream is closed, so a browser keeps no connection open for
// pages nobody sees; the next page to say hello opens it again and gets a fresh snapshot.
// The same release's app.js as the worker: the query names the release.
importScripts("/static/app.js" + self.location.search);

var pages = [];
var stream = null;
var latest = null;

function deliver(message) {
  if (message.kind === "snapshot") {
    latest = { kind: "snapshot", statuses: message.statuses.slice() };
  } else if (message.kind === "status" && latest) {
    latest.statuses = latest.statuses.filter(function (s) { return s.campus_id !== message.status.campus_id; });
    latest.statuses.push(message.status);
  } else if (message.kind === "stopped") {
    stream = null;
    latest = null;
  }
  pages.forEach(function (port) { port.postMessage(message); });
}

self.onconnect = function (event) {
  var port = event.ports[0];
  port.onmessage = function (message) {
    var data = message.data;
    if (data.kind === "hello") {
      pages.push(port);
      if (!stream) {
        stream = openStream(data.path, deliver);
      } else if (latest) {
        port.postMessage(latest);
      }
    } else if (data.kind === "bye") {
      pages = pages.filter(function (p) { return p !== port; });
      if (pages.length === 0 && stream) {
        stream.release();
        stream = null;
        latest = null;
      }
    }
  };
  port.start();
};
