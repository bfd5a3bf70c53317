#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QVariantMap>

class SessionView;

// The one object an app's page sees over Qt WebChannel, as "kioskBridge". Nothing but
// web/bridge/kiosk.js talks to it; apps use the `kiosk` API that script builds on it
// (docs/app-api.md). Every slot is callable by any script of the page, so each one
// checks what it gets: the page is the session's app, but its input is still input.
//
// Flow control, because the channel is the bottleneck at high stanza rates: stanzas go
// out in batches (one signal carrying a list of all that waited), at most one batch at a
// time, and the next one only after the page called stanzasHandled() for the last.
class KioskBridge : public QObject
{
    Q_OBJECT
public:
    // The bridge may outlive its view by a moment, with the page: it then ignores the page.
    explicit KioskBridge(SessionView *view);

public Q_SLOTS:
    // A (new) page is here: returns {sid, user, app, params}, and restart: {reason,
    // droppedStanzas} when the page before crashed or hung. Stanzas the page before had
    // not acknowledged go to this one, except after a crash or hang (they may be what
    // broke it): then they are dropped and counted in droppedStanzas.
    QVariantMap attach();
    // The page has a stanza handler: stanzas may flow.
    void listen();
    // The page has run its handlers for every stanza of that batch.
    void stanzasHandled(int batch);
    // kiosk.send(xml): answered with sendDone(requestId, ...).
    void send(int requestId, const QString &xml);
    // kiosk.end()
    void end();
    // Answer to ping(serial): the page's main thread is alive.
    void pong(int serial);
    // Answer to snapshotRequested(requestId): files {name: base64}, or an error.
    void snapshotDone(int requestId, const QVariantMap &files, const QString &error);

Q_SIGNALS:
    void stanzas(int batch, const QStringList &xml);
    // error empty: sent, with stanzaId as its id; otherwise the reason it was not.
    void sendDone(int requestId, const QString &error, const QString &stanzaId);
    // Transferred state {files: {name: base64}, log: [xml, ...]}.
    void state(const QVariantMap &state);
    void snapshotRequested(int requestId);
    void ping(int serial);

private:
    QPointer<SessionView> m_view;
};
