#pragma once

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>

// What the screens show, in one object handed to the QML module as its `display`
// property. The daemon writes it; QML only reads (and calls the invokables).
class DisplayStatus : public QObject
{
    Q_OBJECT
    // "offline" (device connection down), "standby" (QR code shown), "busy" (all slots used)
    Q_PROPERTY(QString state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString label READ label NOTIFY labelChanged)
    // The xmpp: pair URI the QR code encodes; empty while offline.
    Q_PROPERTY(QString pairUri READ pairUri NOTIFY pairUriChanged)
    // When the current token is replaced (local time), and the rotation period in seconds.
    Q_PROPERTY(QDateTime tokenRotatesAt READ tokenRotatesAt NOTIFY pairUriChanged)
    Q_PROPERTY(int rotationPeriod READ rotationPeriod NOTIFY pairUriChanged)
    // One line for people about what is happening, e.g. why the display is offline.
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
    // The session on screen (the newest one): "" when none, else connecting,
    // authenticating or active; whose it is; and one line about it for people.
    Q_PROPERTY(QString sessionState READ sessionState NOTIFY sessionChanged)
    Q_PROPERTY(QString sessionUser READ sessionUser NOTIFY sessionChanged)
    Q_PROPERTY(QString sessionSid READ sessionSid NOTIFY sessionChanged)
    Q_PROPERTY(QString sessionLine READ sessionLine NOTIFY sessionChanged)
    // A short-lived message after something went wrong or ended, e.g. "Sign-in failed: ...";
    // empty when there is none. The daemon clears it after a few seconds.
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    // The app of the session on screen (a SessionView, see sessionview.h), which
    // qml/AppView.qml shows in the session screen's app area; null when there is none.
    Q_PROPERTY(QObject *appView READ appView NOTIFY appViewChanged)
    // The newest session's state transfer: whether one runs, how far (0-1), and one line
    // for people ("Receiving your session: 3.1 MB of 20 MB, about 4 s left", or how the
    // last one ended); the line is empty when there was none.
    Q_PROPERTY(bool transferRunning READ transferRunning NOTIFY transferChanged)
    Q_PROPERTY(double transferFraction READ transferFraction NOTIFY transferChanged)
    Q_PROPERTY(QString transferLine READ transferLine NOTIFY transferChanged)

public:
    explicit DisplayStatus(QObject *parent = nullptr) : QObject(parent) {}

    QString state() const { return m_state; }
    QString label() const { return m_label; }
    QString pairUri() const { return m_pairUri; }
    QDateTime tokenRotatesAt() const { return m_tokenRotatesAt; }
    int rotationPeriod() const { return m_rotationPeriod; }
    QString notice() const { return m_notice; }
    QString sessionState() const { return m_sessionState; }
    QString sessionUser() const { return m_sessionUser; }
    QString sessionSid() const { return m_sessionSid; }
    QString sessionLine() const { return m_sessionLine; }
    QString message() const { return m_message; }
    QObject *appView() const { return m_appView; }
    bool transferRunning() const { return m_transferRunning; }
    double transferFraction() const { return m_transferFraction; }
    QString transferLine() const { return m_transferLine; }

    void setTransfer(bool running, double fraction, const QString &line)
    {
        if (running == m_transferRunning && qFuzzyCompare(1.0 + fraction, 1.0 + m_transferFraction) && line == m_transferLine)
            return;
        m_transferRunning = running;
        m_transferFraction = qBound(0.0, fraction, 1.0);
        m_transferLine = line;
        Q_EMIT transferChanged();
    }

    // The on-screen End button.
    Q_INVOKABLE void endSession() { Q_EMIT endRequested(m_sessionSid); }

    void setSession(const QString &sid, const QString &state, const QString &user, const QString &line)
    {
        if (sid == m_sessionSid && state == m_sessionState && user == m_sessionUser && line == m_sessionLine)
            return;
        m_sessionSid = sid;
        m_sessionState = state;
        m_sessionUser = user;
        m_sessionLine = line;
        Q_EMIT sessionChanged();
    }
    void setMessage(const QString &message)
    {
        if (message != m_message) {
            m_message = message;
            Q_EMIT messageChanged();
        }
    }

    // The view goes off screen by itself when it is destroyed.
    void setAppView(QObject *view)
    {
        if (view == m_appView)
            return;
        if (m_appView)
            disconnect(m_appView, &QObject::destroyed, this, nullptr);
        m_appView = view;
        if (view) {
            connect(view, &QObject::destroyed, this, [this] {
                m_appView = nullptr;
                Q_EMIT appViewChanged();
            });
        }
        Q_EMIT appViewChanged();
    }

    void setState(const QString &state)
    {
        if (state != m_state) {
            m_state = state;
            Q_EMIT stateChanged();
        }
    }
    void setLabel(const QString &label)
    {
        if (label != m_label) {
            m_label = label;
            Q_EMIT labelChanged();
        }
    }
    void setPairing(const QString &pairUri, const QDateTime &rotatesAt, int rotationPeriod)
    {
        m_pairUri = pairUri;
        m_tokenRotatesAt = rotatesAt;
        m_rotationPeriod = rotationPeriod;
        Q_EMIT pairUriChanged();
    }
    void setNotice(const QString &notice)
    {
        if (notice != m_notice) {
            m_notice = notice;
            Q_EMIT noticeChanged();
        }
    }

Q_SIGNALS:
    void stateChanged();
    void labelChanged();
    void pairUriChanged();
    void noticeChanged();
    void sessionChanged();
    void messageChanged();
    void appViewChanged();
    void transferChanged();
    void endRequested(const QString &sid);

private:
    QString m_state = QStringLiteral("offline");
    QString m_label;
    QString m_pairUri;
    QDateTime m_tokenRotatesAt;
    int m_rotationPeriod = 60;
    QString m_notice;
    QString m_sessionState;
    QString m_sessionUser;
    QString m_sessionSid;
    QString m_sessionLine;
    QString m_message;
    QPointer<QObject> m_appView;
    bool m_transferRunning = false;
    double m_transferFraction = 0.0;
    QString m_transferLine;
};
