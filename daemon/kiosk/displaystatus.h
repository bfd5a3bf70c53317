#pragma once

#include <QDateTime>
#include <QObject>
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

public:
    explicit DisplayStatus(QObject *parent = nullptr) : QObject(parent) {}

    QString state() const { return m_state; }
    QString label() const { return m_label; }
    QString pairUri() const { return m_pairUri; }
    QDateTime tokenRotatesAt() const { return m_tokenRotatesAt; }
    int rotationPeriod() const { return m_rotationPeriod; }
    QString notice() const { return m_notice; }

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

private:
    QString m_state = QStringLiteral("offline");
    QString m_label;
    QString m_pairUri;
    QDateTime m_tokenRotatesAt;
    int m_rotationPeriod = 60;
    QString m_notice;
};
