"""The SMTP sink the journey tests read mail from keeps a message as a relay would receive it."""

import smtplib
from email.message import EmailMessage


def test_the_sink_keeps_a_chinese_message_whole(sink):
    message = EmailMessage()
    message["From"] = "xiaobao <noreply@xiaobao.local>"
    message["To"] = "zhangsan@example.cn"
    message["Subject"] = "您的投诉已登记"
    message.set_content("登记号：TS20261122-C31KVT78\n.以点开头的一行\n")
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        smtp.send_message(message)
    got = sink.wait_for(lambda m: m["To"] == "zhangsan@example.cn")
    assert got["Subject"] == "您的投诉已登记"
    assert got.get_content() == "登记号：TS20261122-C31KVT78\n.以点开头的一行\n"
